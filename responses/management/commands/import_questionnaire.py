"""python manage.py import_questionnaire FILE.xlsx --as EMAIL [--accept-theirs|--keep-mine]

Reads a filled offline questionnaire workbook as its upload page does, as the person `--as` (a member who edits the
organisation's answers, or Office staff), and prints what it changes and what conflicts with answers saved online
since the download. Any invalid cell, or a conflict without `--accept-theirs` (keep the online values) or
`--keep-mine` (take the workbook's), is listed on stderr and the command exits 1 with nothing written. Otherwise
every change is saved at once with its history (source "workbook").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from oscethb.commands import in_site_language
from surveys.models import Survey

from ...access import AccessPolicy
from ...models import Response
from ...offline.identity import WorkbookRejected
from ...offline.reading import workbook_identity
from ...offline.review import plan_review
from ...offline.services import (
    KEEP_MINE,
    KEEP_THEIRS,
    workbook_upload_confirm,
    workbook_upload_create,
    workbook_upload_refusal,
)


class Command(BaseCommand):
    help = "Import a filled offline questionnaire workbook: list its changes and conflicts, then save them all at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the filled workbook (.xlsx)")
        parser.add_argument("--as", dest="as_email", required=True, metavar="EMAIL", help="who makes the changes")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--accept-theirs", action="store_true", help="on a conflict, keep the online value")
        choice.add_argument("--keep-mine", action="store_true", help="on a conflict, take the workbook's value")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        user = get_user_model().objects.filter(email__iexact=options["as_email"].strip()).order_by("id").first()
        if user is None:
            raise CommandError(_("--as: no user with the e-mail address %(email)s") % {"email": options["as_email"]})
        try:
            with path.open("rb") as source:
                slug, code = workbook_identity(source, path.name)
        except WorkbookRejected as exc:
            raise CommandError(f"{path}: {exc}") from exc
        survey = Survey.objects.filter(slug=slug).first()
        organisation = Organisation.objects.filter(code=code).first()
        policy = AccessPolicy.for_user(user)
        if (
            survey is None
            or organisation is None
            or not policy.may_see_response(survey, organisation)
            or not policy.may_upload_workbook(organisation)
        ):
            raise CommandError(
                _("%(email)s may not change the answers of %(org)s in %(round)s")
                % {"email": options["as_email"], "org": code, "round": slug}
            )
        response = Response.objects.filter(survey=survey, organisation=organisation).first() or Response(
            survey=survey, organisation=organisation
        )
        response.survey, response.organisation = survey, organisation
        if refusal := workbook_upload_refusal(response=response, user=user):
            raise CommandError(refusal)
        with transaction.atomic():  # a refusal below undoes the kept upload too: nothing is written
            try:
                with path.open("rb") as source:
                    upload = workbook_upload_create(response=response, user=user, source=source, filename=path.name)
            except WorkbookRejected as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self._report(upload, path, options)

    def _report(self, upload: Any, path: Path, options: dict[str, Any]) -> None:
        review = plan_review(response=upload.response, plan=upload.plan)
        for cell in review.changes:
            self.stdout.write(
                _("%(question)s%(cell)s (%(ref)s): “%(old)s” -> “%(new)s”")
                % {
                    "question": cell.question.code,
                    "cell": f" {cell.cell}" if cell.cell else "",
                    "ref": cell.ref,
                    "old": cell.old_words,
                    "new": cell.new_words,
                }
            )
        for cell in review.conflicts:
            self.stdout.write(
                _(
                    "CONFLICT %(question)s%(cell)s (%(ref)s): saved online by %(who)s on %(when)s as “%(theirs)s”; "
                    "the workbook has “%(mine)s”"
                )
                % {
                    "question": cell.question.code,
                    "cell": f" {cell.cell}" if cell.cell else "",
                    "ref": cell.ref,
                    "who": cell.by,
                    "when": formats.date_format(cell.at, "DATETIME_FORMAT") if cell.at else "",
                    "theirs": cell.old_words,
                    "mine": cell.new_words,
                }
            )
        problems = upload.plan.get("problems", [])
        for p in problems:
            self.stderr.write(
                _("Sheet “%(sheet)s”, cell %(ref)s (%(question)s): %(message)s")
                % {"sheet": p["sheet"], "ref": p["ref"], "question": p["question"], "message": p["message"]}
            )
        if problems:
            raise CommandError(
                ngettext(
                    "%(path)s: %(n)d invalid cell; nothing was saved",
                    "%(path)s: %(n)d invalid cells; nothing was saved",
                    len(problems),
                )
                % {"path": path, "n": len(problems)}
            )
        if review.conflicts and not (options["accept_theirs"] or options["keep_mine"]):
            raise CommandError(
                ngettext(
                    "%(n)d conflict: choose --accept-theirs or --keep-mine; nothing was saved",
                    "%(n)d conflicts: choose --accept-theirs or --keep-mine; nothing was saved",
                    len(review.conflicts),
                )
                % {"n": len(review.conflicts)}
            )
        choice = KEEP_MINE if options["keep_mine"] else KEEP_THEIRS
        outcome = workbook_upload_confirm(
            upload=upload,
            user=upload.owner,
            token=review.token,
            choices={cell.index: choice for cell in review.conflicts},
        )
        if outcome.error or outcome.moved:
            raise CommandError(outcome.error or _("Answers changed while reading the workbook: run the command again."))
        self.stdout.write(
            ngettext("%(n)d answer saved.", "%(n)d answers saved.", outcome.written) % {"n": outcome.written}
        )
