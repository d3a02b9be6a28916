"""People and organisations: the directory of organisations, users and memberships, invitations.

One module per subject (`tables_text`, `organisations`, `members`, `invitations`); this package re-exports their
services so callers write `from accounts.people import member_add`. Every service is keyword-only and typed, checks
everything first and then writes in one transaction. Reading CSV/XLSX files is accounts.tables, shared with the
answer import.
"""

from ..tables import TableError as TableError
from .invitations import (
    INVITATION_DAYS as INVITATION_DAYS,
)
from .invitations import (
    BulkResult as BulkResult,
)
from .invitations import (
    InvitationError as InvitationError,
)
from .invitations import (
    invitation_accept as invitation_accept,
)
from .invitations import (
    invitation_accept_url as invitation_accept_url,
)
from .invitations import (
    invitation_create as invitation_create,
)
from .invitations import (
    invitation_for_token as invitation_for_token,
)
from .invitations import (
    invitation_needs_password as invitation_needs_password,
)
from .invitations import (
    invitation_resend as invitation_resend,
)
from .invitations import (
    invitation_revoke as invitation_revoke,
)
from .invitations import (
    invitation_state as invitation_state,
)
from .invitations import (
    invitations_bulk_from_table as invitations_bulk_from_table,
)
from .invitations import (
    invitations_open as invitations_open,
)
from .invitations import (
    members_of as members_of,
)
from .invitations import (
    token_hash as token_hash,
)
from .members import (
    MemberOutcome as MemberOutcome,
)
from .members import (
    PeopleError as PeopleError,
)
from .members import (
    UserOutcome as UserOutcome,
)
from .members import (
    email_checked as email_checked,
)
from .members import (
    member_add as member_add,
)
from .members import (
    organisation_by_code as organisation_by_code,
)
from .members import (
    staff_add as staff_add,
)
from .members import (
    user_for_email as user_for_email,
)
from .members import (
    user_get_or_create as user_get_or_create,
)
from .organisations import (
    KINDS as KINDS,
)
from .organisations import (
    NGO_CODE_RE as NGO_CODE_RE,
)
from .organisations import (
    ORGANISATION_COLUMNS as ORGANISATION_COLUMNS,
)
from .organisations import (
    STATE_CODE_RE as STATE_CODE_RE,
)
from .organisations import (
    ImportResult as ImportResult,
)
from .organisations import (
    organisations_import as organisations_import,
)
from .tables_text import (
    MAX_TABLE_BYTES as MAX_TABLE_BYTES,
)
from .tables_text import (
    MAX_TABLE_ROWS as MAX_TABLE_ROWS,
)
from .tables_text import (
    Table as Table,
)
from .tables_text import (
    TableRow as TableRow,
)
from .tables_text import (
    read_table as read_table,
)
from .tables_text import (
    row_problem as row_problem,
)
from .tables_text import (
    table_columns as table_columns,
)
from .tables_text import (
    table_from_bytes as table_from_bytes,
)
