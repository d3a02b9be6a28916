"""The site's own date formats (FORMAT_MODULE_PATH): only where Django's locale formats are not what people here
write. Languages without a module here use Django's formats for their locale."""
