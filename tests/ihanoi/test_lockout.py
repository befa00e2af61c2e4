"""Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failures for a username from one IP, the login page says
so in the reader's language (429) until the cool-off ends, on the site, the admin and the API token alike."""
import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-2025"
API_EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # the API negotiates; the pages follow the language cookie


@pytest.fixture
def officer(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return get_user_model().objects.create_user("lan", "lan@example.com", PASSWORD, is_staff=True)


def log_in(client, password, *, url="/accounts/login/", username="lan", **extra):
    return client.post(url, {"username": username, "password": password, "next": "/staff/"}, **extra)


class LoginLockoutTests:
    def test_the_limit_locks_out_with_a_message_in_vietnamese(self, client, officer):
        assert [log_in(client, "wrong").status_code for _ in range(2)] == [200, 200]
        resp = log_in(client, "wrong")
        html = resp.content.decode()
        assert resp.status_code == 429 and int(resp["Retry-After"]) == 15 * 60
        assert "Đăng nhập sai quá nhiều lần với tên đăng nhập này từ kết nối của bạn" in html
        assert "Vui lòng thử lại sau 15 phút" in html
        assert 'value="lan"' in html and 'value="/staff/"' in html  # the username and where to go are kept
        # locked out: even the right password is refused until the cool-off ends
        resp = log_in(client, PASSWORD)
        assert resp.status_code == 429 and "_auth_user_id" not in client.session

    def test_the_message_is_in_english_when_chosen(self, english, officer):
        for _ in range(3):
            resp = log_in(english, "wrong")
        assert resp.status_code == 429
        assert "Too many failed logins for this username from your connection. Please try again in 15 minutes" in (
            resp.content.decode())

    def test_an_ordinary_mistake_is_not_a_lockout(self, english, officer):
        client = english
        resp = log_in(client, "wrong")
        assert resp.status_code == 200 and "Wrong username or password." in resp.content.decode()
        assert log_in(client, PASSWORD).status_code == 302

    def test_the_lockout_is_per_username_and_ip(self, client, officer):
        get_user_model().objects.create_user("minh", "minh@example.com", PASSWORD)
        for _ in range(3):
            log_in(client, "wrong")
        assert log_in(client, PASSWORD, username="minh").status_code == 302  # another user, same office IP
        client.logout()
        assert log_in(client, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302  # same user, other IP

    def test_a_success_resets_the_count(self, client, officer):
        for _ in range(2):
            log_in(client, "wrong")
        assert log_in(client, PASSWORD).status_code == 302
        client.logout()
        for _ in range(2):
            log_in(client, "wrong")
        assert log_in(client, PASSWORD).status_code == 302

    def test_the_admin_login_locks_out_too(self, english, officer):
        client = english
        for _ in range(2):
            assert log_in(client, "wrong", url="/admin/login/").status_code == 200
        resp = log_in(client, "wrong", url="/admin/login/")
        assert resp.status_code == 429
        assert "Too many failed logins" in resp.content.decode()
        assert log_in(client, PASSWORD, url="/admin/login/").status_code == 429

    def test_the_api_token_login_locks_out_too(self, client, officer):
        url = "/api/v1/auth/token/"
        for _ in range(2):
            assert client.post(url, {"username": "lan", "password": "wrong"}).status_code == 400
        resp = client.post(url, {"username": "lan", "password": "wrong"}, **API_EN)
        assert resp.status_code == 429 and int(resp["Retry-After"]) == 15 * 60
        assert "Too many failed logins for this username from your connection." in resp.json()["detail"]
        assert client.post(url, {"username": "lan", "password": PASSWORD}).status_code == 429
