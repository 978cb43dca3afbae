"""The API over real HTTP (httpx against a live server), the way an integration would use it."""

import httpx

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.conftest import PASSWORD
from amparo.registry.models import Person


def test_token_create_search_read_archive_revoke(world, live_server):
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=10) as http:
        # a token for a supervisor
        obtained = http.post("/auth/token/", json={"username": "supervisor_mx", "password": PASSWORD})
        assert obtained.status_code == 200
        http.headers["Authorization"] = f"Bearer {obtained.json()['token']}"

        # register a person with accents, a dd/mm/yyyy date and a document
        created = http.post(
            "/persons/",
            json={
                "given_names": "José María",
                "first_surname": "Núñez",
                "second_surname": "Peña",
                "date_of_birth": "17/05/2012",
                "sex": "male",
                "nationality": "GT",
                "org_unit": world.unit_a.pk,
                "documents": [{"document_type": "passport", "number": "GT-123 456", "issuing_country": "GT"}],
            },
        )
        assert created.status_code == 201
        person = created.json()
        assert (person["date_of_birth"], person["org_unit"]["id"]) == ("2012-05-17", world.unit_a.pk)

        # search without accents, words in any order
        found = http.get("/persons/", params={"q": "pena jose nunez"})
        assert found.status_code == 200
        assert [row["id"] for row in found.json()["results"]] == [person["id"]]
        by_document = http.get("/persons/", params={"q": "gt123456"})
        assert [row["amparo_id"] for row in by_document.json()["results"]] == [person["amparo_id"]]

        # read by Amparo ID
        read = http.get(f"/persons/{person['amparo_id']}/")
        assert read.status_code == 200
        assert (read.json()["given_names"], read.json()["first_surname"]) == ("José María", "Núñez")
        assert read.json()["documents"][0]["number"] == "GT-123 456"
        assert read.json()["withheld"] == []

        # archive
        archived = http.post(f"/persons/{person['id']}/archive/", json={"reason": "Registro de prueba"})
        assert archived.status_code == 200
        assert archived.json()["is_archived"] is True
        assert http.get("/persons/", params={"q": "nunez"}).json()["results"] == []

        # revoke: the token stops working
        assert http.post("/auth/token/revoke/").status_code == 204
        refused = http.get("/persons/")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "authentication_failed"

    stored = Person.objects.get()
    assert (stored.full_name, stored.is_archived, stored.created_by) == (
        "José María Núñez Peña",
        True,
        world.supervisor_mx,
    )
    actions = list(
        AuditEvent.objects.filter(actor=world.supervisor_mx)
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.API_TOKEN_ISSUED,
        AuditAction.PERSON_CREATED,
        AuditAction.PERSON_SEARCHED,
        AuditAction.PERSON_SEARCHED,
        AuditAction.PERSON_VIEWED,
        AuditAction.PERSON_ARCHIVED,
        AuditAction.PERSON_SEARCHED,
        AuditAction.API_TOKEN_REVOKED,
    ]
    assert AuditEvent.objects.filter(actor=world.supervisor_mx, ip_address="127.0.0.1").count() == len(
        actions
    )
