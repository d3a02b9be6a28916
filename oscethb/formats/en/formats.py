"""English dates as the OSCE writes them: day, month, year ("16 January 2027", "2 Dec 2026, 07:31"), not Django's
American defaults ("Jan. 16, 2027", "Dec. 2, 2026, 7:31 a.m.").

Templates and code use the names (`date:"DATE_FORMAT"`, `formats.date_format(day, "DATE_FORMAT")`), never a
hard-coded pattern, so each language gets its own (Russian from Django: "16 января 2027 г.").
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
