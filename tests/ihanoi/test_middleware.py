"""ihanoi.middleware: Vietnamese first on the pages whatever the browser asks; English only when chosen;
the APIs keep Accept-Language."""
import pytest

from tests.factories import make_report

pytestmark = pytest.mark.django_db


class VietnameseFirstTests:
    def test_an_english_browser_gets_the_vietnamese_pages(self, client):
        case = make_report()
        for url in ["/", "/report/", case.get_absolute_url(), "/board/"]:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
            html = response.content.decode()
            assert response.status_code == 200 and '<html lang="vi">' in html, url
        assert "Gửi phản ánh" in client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def test_the_choice_is_remembered_whatever_the_browser_says(self, client):
        client.post("/i18n/setlang/", {"language": "en", "next": "/report/"}, HTTP_ACCEPT_LANGUAGE="vi")
        html = client.get("/report/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert '<html lang="en">' in html and "Send report" in html
        client.post("/i18n/setlang/", {"language": "vi", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="vi">' in client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def test_an_unknown_language_cookie_falls_back_to_vietnamese(self, client):
        client.cookies["django_language"] = "fr"
        assert '<html lang="vi">' in client.get("/").content.decode()

    def test_pages_vary_on_the_cookie(self, client):
        assert "Cookie" in client.get("/").headers["Vary"]


class ApiLanguageTests:
    """Open311 errors are documented "in the language of Accept-Language"."""

    URL = "/api/georeport/v2/services.csv"

    def test_the_api_follows_accept_language(self, client):
        en = client.get(self.URL, HTTP_ACCEPT_LANGUAGE="en").json()[0]["description"]
        vi = client.get(self.URL, HTTP_ACCEPT_LANGUAGE="vi").json()[0]["description"]
        assert en.startswith("No such GeoReport v2 resource") and vi != en

    def test_without_accept_language_the_api_answers_in_vietnamese(self, client):
        assert client.get(self.URL).json()[0]["description"] == client.get(
            self.URL, HTTP_ACCEPT_LANGUAGE="vi").json()[0]["description"]
