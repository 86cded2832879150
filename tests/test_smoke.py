import pytest


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"ATT Secretariat Platform" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "state_a_rep", "staff_admin"])
def test_every_persona_sees_the_home_page(client_as, persona):
    client, _user = client_as(persona)
    assert client.get("/").status_code == 200
