"""Who sees and changes the patent database (policies registered with core.permissions).

Patents and their transfer/licence registrations are public records: everyone reads them. They are written by
the import operator (the `greentech import patents` command acts as the platform, or as an administrator given
with --user) and by administrators. One exception, decided for issue 5: the members of an organization that is
a matched applicant of a patent may change its *translation* fields (title and abstract in the other language),
and nothing else — `patents.services.save_translation` is the only write that uses that scope, and
`PatentPolicy.can_add` refuses members, so they cannot add patents. Import runs (`PatentImport`) are
administration records: administrators only.
"""

from django.db.models import Q

from greentech.core.permissions import Action, Policy, register
from greentech.patents.models import Patent, PatentImport, PatentTransfer

# the fields an applicant organization's members may change (everything else is the office's record)
MEMBER_FIELDS = frozenset({"title_translation", "abstract_translation"})


class PatentPolicy(Policy):
    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE and actor.organization_ids:
            return Q(applicant_rows__organization__in=actor.organization_ids)
        return False


class TransferPolicy(Policy):
    def scope(self, actor, action):
        return action == Action.VIEW


class ImportPolicy(Policy):
    pass  # administrators (and the platform operator) only


def member_may_change(actor, changes: dict) -> bool:
    """Members keep the translation fields of their organization's patents, nothing more."""
    return set(changes) <= MEMBER_FIELDS


register(Patent, PatentPolicy())
register(PatentTransfer, TransferPolicy())
register(PatentImport, ImportPolicy())
