"""The draft of the published chapter: a Word document (.docx, python-docx) written from a round's stored report.

A display package: it does no queries and reads no files but the font of its charts; its caller
(`reports.drafts`) hands it the stored report document (docs/report-data.md), the directory's State names and the
previous round's title. Everything a person reads is in the chosen language: the round's and areas' titles and the
questions' texts from the definition, the sentences from the catalogue (`texts`, `reports.headlines.sentence`).

Contents, in order: the round's title; on the first page the PROVISIONAL notice when in-progress answers are
counted, which report the figures come from, and the response count ("Responses were received from 52
participating States and 90 NGOs."); then per area its title, its headline sentences, and per choice question
(each matrix row, each choice field of a composite) a table of counts and shares of States and NGOs with a bar
chart (PNG, `charts`), followed, where the question was asked in the previous round too, by the change since then
and the States whose answer changed; last, the findings by commitment (`commitments`): per commitment of the round
its title, source document and paragraph, and its headline findings ("Commitment AP2003.IV: 15 of 52 …").

Modules: `texts` (the sentences), `charts` (Pillow bar charts), `commitments` (the part by commitment), `writer`
(`write_draft`).
"""

from __future__ import annotations

from .writer import write_draft

__all__ = ["write_draft"]
