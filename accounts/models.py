"""People and the organisations they answer for: the directory of organisations, memberships and their roles,
invitations, password reset requests and a person's own settings.

These models moved here from `responses` (issue 10) and keep their tables (`db_table = "responses_*"`): the move
changed where the code lives, not where the rows are (accounts/migrations/0001_initial.py says how). The two-factor
devices are django-otp's own models. Nothing here imports `responses` or `reports`: they build on this app.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys.models import RespondentKind, TimeStamped


class Organisation(TimeStamped):
    class Kind(models.TextChoices):
        STATE = "state", _("Participating State")
        PARTNER = "partner", _("Partner for Co-operation")
        NGO = "ngo", _("NGO")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=60, unique=True, help_text=_("ISO 3166 alpha-2 for States and Partners; a slug for NGOs")
    )
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Former or other names, accepted by imports")
    )
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_("The name in each language of the site, by language code (the directory fills them for States)"),
    )
    country = models.ForeignKey(
        "self",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ngos",
        limit_choices_to={"kind": "state"},
        help_text=_("For an NGO: the participating State it works in"),
    )
    region_codes = models.JSONField(_("region codes"), default=list, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        db_table = "responses_organisation"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="ngo") | models.Q(country__isnull=True), name="only_ngos_have_a_country"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language: a State's or Partner's name in the reader's language, else `name` (the
        directory's English name, and an NGO's own name, which is never translated)."""
        return self.name_in(get_language() or "")

    def name_in(self, language: str) -> str:
        """The name in `language` (a mail to a reader of that language), else the directory's name."""
        return organisation_name_in(self.names, self.name, language)

    @property
    def respondent_kind(self) -> str:
        """Which questions the organisation answers: NGOs the NGO ones, States and Partners the State ones."""
        return RespondentKind.NGO.value if self.kind == self.Kind.NGO else RespondentKind.STATE.value


def organisation_name_in(names: Mapping[str, str] | None, name: str, language: str) -> str:
    """`Organisation.name_in` for a row read without its model (the status board's States): the name in
    `language`, else the directory's name."""
    return (names or {}).get(language.split("-")[0]) or name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class Membership(TimeStamped):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        db_table = "responses_membership"
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.role}"

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CONTRIBUTOR)

    @property
    def can_submit(self) -> bool:
        return self.role == Role.COORDINATOR


class Invitation(TimeStamped):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_count = models.PositiveIntegerField(_("times sent"), default=0)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # The language of the e-mail and of the page that accepts it; blank: the invitee's own, or the sender's.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default="")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        db_table = "responses_invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class PasswordResetRequest(TimeStamped):
    """One "Forgotten your password?" request, kept a day to rate-limit reset mails per address and per IP address
    (accounts.password_reset). The address is stored only as a keyed hash."""

    address = models.CharField(
        _("address hash"), max_length=64, db_index=True, help_text=_("HMAC-SHA256 of the address as typed")
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    sent = models.BooleanField(
        _("sent"), default=False, help_text=_("Whether a mail went out (the address has an account)")
    )

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        db_table = "responses_passwordresetrequest"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        if self.sent:
            return _("password reset %(when)s, sent") % {"when": when}
        return _("password reset %(when)s, not sent") % {"when": when}


class PersonSettings(TimeStamped):
    """A person's own settings: the language the site and its e-mails speak to them in.

    Chosen in the top bar while logged in or by accepting an invitation in a language; stored at the first login
    (the language of that request) for a person who never chose, and given back at every later login on any browser
    (accounts/people/language.py). A person without a row gets the site's default language.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="person_settings"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        db_table = "responses_personsettings"
        verbose_name = _("person's settings")
        verbose_name_plural = _("people's settings")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(TimeStamped):
    """A named key with which a person's BI tool (Power BI, Excel, R) reads the API (api/) as that person.

    Only a keyed hash of the key is stored: the key itself is shown once, when it is made
    (accounts/api_tokens.py). A revoked token is kept, so that the owner's list says when it stopped working."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key, kept in clear so that a person recognises a key they copied.
    prefix = models.CharField(_("start of the key"), max_length=16)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
