"""The answering page's inputs written as strings, the same HTML Django's widget templates and crispy's bootstrap5
field template write, without a template render per input or per option.

A section page has tens of inputs (a breakdown table hundreds), and each `{{ bound_field }}`, `{{ radio.tag }}` or
`as_crispy_field` renders two or three templates: most of the page's rendering time. These functions take the
same values from the same places (`BoundField.build_widget_attrs`, `Widget.get_context`, the bound field's
errors, crispy's class merging) and write them with `format_html`, so ids, names, values, attributes, checked and
disabled states and error texts stay what they were. responses/tests/test_section_html.py compares every section
of the shipped rounds, empty, answered, with errors and read-only, with the HTML the templates wrote.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The widgets written here; any other (a file input, a select) goes through its own template.
PLAIN_INPUTS = (forms.TextInput, forms.DateInput)
ASTERISK = format_html('<span class="{}">*</span>', "asteriskField")  # crispy's mark of a required field


def attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"` each, a True value as the bare name, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(" " + conditional_escape(name))
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _widget(bf: BoundField) -> dict[str, Any]:
    """The widget context `BoundField.as_widget` renders (attributes built by the bound field, its id, its value)."""
    widget = bf.field.widget
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return widget.get_context(bf.html_name, bf.value(), attrs)["widget"]


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{attrs_html(widget['attrs'])}>"
    )


def input_html(bf: BoundField) -> SafeString:
    """`{{ bf }}` of a text, number or date input, or of a text area."""
    widget = bf.field.widget
    if isinstance(widget, forms.Textarea):
        context = _widget(bf)
        value = conditional_escape(context["value"]) if context["value"] else ""
        return mark_safe(  # noqa: S308  # nosec B308 B703 - every part is escaped above
            f'<textarea name="{conditional_escape(context["name"])}"{attrs_html(context["attrs"])}>\n{value}</textarea>'
        )
    if isinstance(widget, PLAIN_INPUTS) and not isinstance(widget, forms.PasswordInput):
        return mark_safe(_input(_widget(bf)))  # noqa: S308  # nosec B308 B703 - escaped in _input
    return format_html("{}", bf)  # a bound field is safe HTML already (__html__)


def options_html(bf: BoundField, wrapper: str) -> SafeString:
    """The radio buttons or check boxes of a choice, each as
    `<div class="{wrapper}">{{ option.tag }}<label class="form-check-label" for="…">{{ option.choice_label }}</label></div>`.
    """
    parts = []
    for option in bf.subwidgets:
        data = option.data
        parts.append(
            format_html(
                '<div class="{}">{}<label class="form-check-label" for="{}">{}</label></div>',
                wrapper,
                mark_safe(_input(data)),  # noqa: S308  # nosec B308 B703 - escaped in _input
                option.id_for_label,
                option.choice_label,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - each part made by format_html


def _crispy_class(bf: BoundField, extra: str) -> None:
    """What crispy's `{% crispy_field field 'class' extra %}` does to the widget: its class gets the widget's class
    name (e.g. `textinput`) and each class of `extra` it does not have yet."""
    widget = bf.field.widget
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in extra.split():
        if name not in css_class.split():
            css_class += " " + name
    widget.attrs["class"] = css_class


def _errors_block(bf: BoundField) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    errors = bf.errors
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)  # Django 5.2 ErrorList knows its field's id
    parts: list[str] = [format_html('<div id="{}_error" class="invalid-feedback">', field_id)]
    for number, error in enumerate(errors, start=1):
        parts.append(format_html('<p id="error_{}_{}"><strong>{}</strong></p>', number, bf.auto_id, error))
    parts.append("</div>")
    return "".join(parts)


def _help_text(bf: BoundField) -> str:
    """bootstrap5/layout/help_text.html (not inline)."""
    if not bf.help_text:
        return ""
    return format_html(
        '<div {}class="form-text">{}</div>',
        format_html('id="{}_helptext" ', bf.auto_id) if bf.auto_id else "",
        mark_safe(bf.help_text),  # noqa: S308  # nosec B308 B703 - crispy writes help texts unescaped (|safe) too
    )


def _crispy_radios(bf: BoundField) -> SafeString:
    """`{{ bf|as_crispy_field }}` of a radio choice: bootstrap5/field.html with a fieldset and
    bootstrap5/layout/radio_checkbox_select.html (each option's attributes as crispy's `optgroups` filter gives them;
    its input repeats the class attribute as crispy's template does, and the first one counts)."""
    widget = bf.field.widget
    errors = bf.errors
    required = bf.field.required
    css_classes = bf.css_classes()
    parts: list[str] = [
        format_html('<div id="div_{}" class="mb-3{}">', bf.auto_id, f" {css_classes}" if css_classes else "")
    ]
    if bf.label:
        described = bf.aria_describedby
        parts.append(format_html("<fieldset{}>", format_html(' aria-describedby="{}"', described) if described else ""))
        parts.append(
            format_html(
                '<legend{} class="form-label{} fs-6">{}{}</legend>',
                format_html(' for="{}"', bf.id_for_label) if bf.id_for_label else "",
                " requiredField" if required else "",
                bf.label,
                ASTERISK if required else "",
            )
        )
    parts.append("<div>")
    id_ = widget.attrs.get("id") or bf.auto_id
    attrs = bf.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(bf.html_name, widget.format_value(bf.value()), attrs)
    for group_index, (group, options, _index) in enumerate(groups):
        if group:
            parts.append(format_html("<strong>{}</strong>", group))
        for option_index, option in enumerate(options):
            parts.append(
                format_html(
                    '<div class="form-check"><input type="{}" class="form-check-input{}"  name="{}" value="{}" {}>'
                    '<label for="{}" class="form-check-label">{}</label>',
                    option["type"],
                    " is-invalid" if errors else "",
                    bf.html_name,
                    str(option["value"]),
                    mark_safe(attrs_html(option["attrs"])),  # noqa: S308  # nosec B308 B703 - escaped in attrs_html
                    option["attrs"].get("id", ""),
                    str(option["label"]),
                )
            )
            if errors and option_index == len(options) - 1 and group_index == len(groups) - 1:
                parts.append(_errors_block(bf))
            parts.append("</div>")
    parts.append("</div>")
    parts.append(_help_text(bf))
    if bf.label:
        parts.append("</fieldset>")
    parts.append("</div>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308  # nosec B308 B703 - each part escaped above


def field_html(bf: BoundField) -> SafeString:
    """`{{ bf|as_crispy_field }}` (bootstrap5/field.html, no label or field class, labels and errors shown) of a
    text, number or date input, a text area or a radio choice; any other field goes through crispy itself."""
    widget = bf.field.widget
    if type(widget) is forms.RadioSelect:
        return _crispy_radios(bf)
    if not (isinstance(widget, (forms.Textarea, *PLAIN_INPUTS)) and not isinstance(widget, forms.PasswordInput)):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return format_html("{}", as_crispy_field(bf))  # a template's output, safe already
    errors = bf.errors
    _crispy_class(bf, "form-control is-invalid" if errors else "form-control")
    required = bf.field.required
    css_classes = bf.css_classes()
    parts: list[str] = [
        format_html('<div id="div_{}" class="mb-3{}">', bf.auto_id, f" {css_classes}" if css_classes else "")
    ]
    if bf.label:
        label_for = format_html(' for="{}"', bf.id_for_label) if bf.id_for_label else ""
        parts.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                label_for,
                " requiredField" if required else "",
                bf.label,
                ASTERISK if required else "",
            )
        )
    parts.append(input_html(bf))
    parts.append(_errors_block(bf))
    parts.append(_help_text(bf))
    parts.append("</div>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308  # nosec B308 B703 - each part escaped above
