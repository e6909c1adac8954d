"""The OpenAPI schema describes what is sent, so generated clients work (the integration tier
fuzzes every operation against it: tests/integration/test_it_schemathesis.py)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

PAGED_POST_LISTS = ["/api/v1/feed/following", "/api/v1/feed/for-you",
                    "/api/v1/hashtags/{tag}/posts", "/api/v1/users/{handle}/posts",
                    "/api/v1/users/{handle}/appearances", "/api/v1/videos/{video_id}/remixes"]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@pytest.mark.parametrize("path", PAGED_POST_LISTS)
def test_post_lists_are_described_as_the_page_they_send(schema, path, user_factory, login):
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    page = resolve(schema, body["schema"])
    assert page["type"] == "object"
    assert {"results", "next", "next_cursor"} <= set(page["properties"])
    assert page["properties"]["results"]["type"] == "array"
    if "{" not in path:
        sent = login(user_factory()).get(path).json()
        assert set(sent) == set(page["properties"])


def test_every_operation_describes_its_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            default = operation["responses"]["default"]["content"]["application/json"]
            error = resolve(schema, default["schema"])
            assert error["required"] == ["error"], (method, path)


def test_ids_in_paths_are_bounded_integers(schema):
    parameter = next(p for p in schema["paths"]["/api/v1/auth/sessions/{session_id}"]["delete"]
                     ["parameters"] if p["name"] == "session_id")
    assert parameter["schema"] == {"type": "integer", "minimum": 0,
                                   "maximum": 999_999_999_999_999_999}


@pytest.mark.parametrize(("query", "headers", "status", "code"), [
    ("?format=bogus", {}, 404, "not_found"),
    ("", {"HTTP_ACCEPT": "text/html"}, 406, "request.not_acceptable"),
])
def test_the_schema_view_answers_its_errors_in_json(api, query, headers, status, code):
    response = api.get(f"/api/schema/{query}", **headers)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


def test_the_schema_itself_is_still_yaml_by_default(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3")
