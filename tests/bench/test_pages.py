"""Which statements count towards a page's floor, and how the execute wrapper times them."""

import pages


def test_session_and_user_lookups_are_framework_queries():
    assert pages.is_framework('SELECT "django_session"."session_key" FROM "django_session" WHERE 1')
    assert pages.is_framework('SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."id" = %s')
    assert pages.is_framework('SAVEPOINT "s1"')


def test_page_queries_that_join_users_are_the_pages_own():
    sql = (
        'SELECT "inventory_allocation"."id", "auth_user"."username" FROM "inventory_allocation" '
        'INNER JOIN "auth_user" ON ("inventory_allocation"."requested_by_id" = "auth_user"."id") WHERE 1'
    )
    assert not pages.is_framework(sql)


def test_recorder_times_every_statement_and_passes_results_through():
    recorder = pages.Recorder()

    def execute(sql, params, many, context):
        return f"ran {sql}"

    assert recorder(execute, "SELECT 1", (), False, {}) == "ran SELECT 1"
    assert recorder(execute, "SELECT 2", (5,), False, {}) == "ran SELECT 2"
    assert [q[0] for q in recorder.queries] == ["SELECT 1", "SELECT 2"]
    assert all(q[3] >= 0 for q in recorder.queries)
