"""What every file the platform writes for a spreadsheet shares: the characters that make a spreadsheet read a cell's
text as a formula (or DDE) when it is edited or saved as CSV. The exports (reports.workbook, reports.raw_data) and
the XLSForm answers file (surveys.xlsform) guard against them; one home, below every app's layer."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
