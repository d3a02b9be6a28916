"""The offline questionnaire workbook: one organisation's questionnaire of one round as an Excel workbook to fill
in without the site, and the same workbook uploaded back.

- `identity.py`: the hidden sheet that says which round and organisation a workbook is for, the structure
  fingerprint, and the signed map of every answer cell (sheet and cell -> question, row, column, part, version,
  value at download). A workbook of another round or organisation, a changed questionnaire, an edited map or moved
  rows each get their own message (`WorkbookRejected`).
- `writing.py`: builds the workbook (`questionnaire_workbook`): a cover sheet, one sheet per area, each question
  with its code, text, help and show-if condition, its cells laid out by its answer type (`AnswerType.sheet_grid`)
  with Excel data validation from each cell's kind (`Codec.sheet_rule`), the current answers filled in; only the
  answer cells are editable.
- `reading.py`: reads a filled workbook into an upload plan (`workbook_read`): every changed cell checked by the
  same rules as the web form (`clean_cell`, `check_together`); invalid cells named by sheet and cell.
- `review.py`: what the plan would do now (`plan_review`): changes, conflicts with answers saved online since the
  download (who, when, which value) and cells already equal; asked at the preview and again at the confirm.
- `services.py`: `workbook_upload_create` (store the plan), `workbook_upload_confirm` (write it all in one
  transaction, source "workbook", after re-checking that nothing moved since the preview).
"""
