from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.accounts.models import ApiToken
from amparo.accounts.services import api_token_issue, token_hash
from amparo.audit.choices import AuditAction
from amparo.common.tests.api_support import audit_mark, audit_since
from amparo.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
PERSONS_URL = "/api/v1/persons/"


def obtain(client: APIClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_issues_a_token_that_authenticates(world):
    # given
    client = APIClient()
    mark = audit_mark()
    # when
    response = obtain(client, "caseworker_a", PASSWORD)
    # then
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["expires_at", "token"]
    token = ApiToken.objects.get(user=world.caseworker_a)
    assert token.key_hash == token_hash(body["token"])
    assert token.prefix == body["token"][:8]
    assert body["token"] not in token.key_hash
    assert abs(token.expires_at - (timezone.now() + timedelta(hours=12))) < timedelta(seconds=30)
    user_id = str(world.caseworker_a.pk)
    assert audit_since(mark) == [
        (AuditAction.LOGIN_SUCCEEDED, "accounts.user", user_id, {"via": "api"}),
        (AuditAction.API_TOKEN_ISSUED, "accounts.user", user_id, {"token": token.pk}),
    ]
    listed = client.get(PERSONS_URL, HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert listed.status_code == 200


def test_is_public_and_ignores_any_credentials_sent(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")

    response = obtain(client, "caseworker_a", PASSWORD)

    assert response.status_code == 200


def test_updates_last_login(world):
    assert world.caseworker_a.last_login is None

    obtain(APIClient(), "caseworker_a", PASSWORD)

    world.caseworker_a.refresh_from_db()
    assert world.caseworker_a.last_login is not None


def test_refuses_a_wrong_password_and_audits_the_failure(world):
    mark = audit_mark()

    response = APIClient().post(
        TOKEN_URL,
        {"username": "caseworker_a", "password": "wrong-password"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid_credentials", "message": "Wrong username or password.", "fields": {}}
    }
    assert ApiToken.objects.exists() is False
    assert audit_since(mark) == [(AuditAction.LOGIN_FAILED, "", "", {"via": "api"})]


def test_refuses_an_inactive_user(world):
    response = obtain(APIClient(), "inactive_a", PASSWORD)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.exists() is False


def test_names_missing_fields(world):
    mark = audit_mark()

    response = APIClient().post(TOKEN_URL, {"username": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert sorted(response.json()["error"]["fields"]) == ["password", "username"]
    assert audit_since(mark) == []


def test_locks_out_a_username_and_address_after_five_failures(world):
    # given four failures
    client = APIClient()
    for _attempt in range(4):
        assert obtain(client, "caseworker_a", "wrong-password").status_code == 400
    mark = audit_mark()
    # when the fifth fails
    fifth = obtain(client, "caseworker_a", "wrong-password")
    # then the pair is locked, even with the right password
    assert fifth.status_code == 429
    assert fifth.json()["error"]["code"] == "locked_out"
    right_password = obtain(client, "caseworker_a", PASSWORD)
    assert right_password.status_code == 429
    assert right_password.json()["error"]["code"] == "locked_out"
    assert ApiToken.objects.exists() is False
    assert audit_since(mark) == [
        (AuditAction.LOGIN_LOCKED_OUT, "", "", {"via": "api"}),
        (AuditAction.LOGIN_LOCKED_OUT, "", "", {"via": "api"}),
    ]
    # another address is not locked out
    assert obtain(client, "caseworker_a", PASSWORD, ip="10.0.0.2").status_code == 200


def test_a_success_resets_the_failure_count(world):
    client = APIClient()
    for _attempt in range(4):
        obtain(client, "caseworker_a", "wrong-password")
    assert obtain(client, "caseworker_a", PASSWORD).status_code == 200

    for _attempt in range(4):
        assert obtain(client, "caseworker_a", "wrong-password").status_code == 400
    assert obtain(client, "caseworker_a", PASSWORD).status_code == 200


def test_an_expired_token_is_refused(world):
    key, _token = api_token_issue(user=world.caseworker_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(PERSONS_URL).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(hours=12, seconds=1)):
        response = client.get(PERSONS_URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoke_ends_the_token(world):
    # given
    key, token = api_token_issue(user=world.caseworker_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    mark = audit_mark()
    # when
    response = client.post(REVOKE_URL)
    # then
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audit_since(mark) == [
        (AuditAction.API_TOKEN_REVOKED, "accounts.user", str(world.caseworker_a.pk), {"token": token.pk})
    ]
    assert client.get(PERSONS_URL).status_code == 401
    assert client.post(REVOKE_URL).status_code == 401


def test_revoke_leaves_the_users_other_tokens(world):
    key, _token = api_token_issue(user=world.caseworker_a)
    _other_key, other = api_token_issue(user=world.caseworker_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    client.post(REVOKE_URL)

    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoke_needs_a_bearer_token(world):
    client = APIClient()
    client.force_login(world.caseworker_a)

    response = client.post(REVOKE_URL)

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer", "authentication_failed"),
        ("Bearer a b", "authentication_failed"),
        ("Bearer unknown-token", "authentication_failed"),
        ("Token unknown-token", "authentication_failed"),
        ("Bearer caf\u00e9", "authentication_failed"),
        ("B\u00e9arer x", "not_authenticated"),
        ("Basic Y2FzZXdvcmtlcl9hOng=", "not_authenticated"),
    ],
)
def test_bad_authorization_headers_get_401(world, header, code):
    response = APIClient().get(PERSONS_URL, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_of_a_deactivated_user_is_refused(world):
    key, _token = api_token_issue(user=world.caseworker_a)
    world.caseworker_a.is_active = False
    world.caseworker_a.save(update_fields=["is_active"])

    response = APIClient().get(PERSONS_URL, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
