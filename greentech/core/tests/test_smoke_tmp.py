import pytest
from greentech.registry.models import Region

@pytest.mark.django_db
def test_x(member, admin, department_officer):
    assert Region.objects.count() == 115
