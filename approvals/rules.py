"""Who may ask for storage and who decides (docs/domain.md, "Requests")."""

from django.conf import settings

from inventory.models import ResearchProject, TeamMembership

#: The permission that makes someone an approver: allocation managers (inventory/roles.py) and superusers.
APPROVE_PERMISSION = "inventory.approve_allocation"


def may_request(user, project: ResearchProject) -> bool:
    """The project's principal investigator; with CAPACITY_REQUESTERS = "members", its team's members too."""
    if not user.is_authenticated or not user.is_active:
        return False
    if project.principal_investigator_id == user.pk:
        return True
    if settings.CAPACITY_REQUESTERS != "members":
        return False
    return TeamMembership.objects.filter(team_id=project.team_id, user=user).exists()


def may_decide(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE_PERMISSION)
