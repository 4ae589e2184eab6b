"""Every dashboard page shows where it sits: a breadcrumb trail from the overview to the page itself."""

import re

TRAIL = re.compile(r'<nav aria-label="Breadcrumb" class="breadcrumb"><ol>(.*?)</ol></nav>', re.S)


def trail(html: str) -> list[str]:
    """The trail's labels, the current page last."""
    found = TRAIL.search(html)
    assert found, "no breadcrumb trail"
    return re.findall(r">([^<>]+)</(?:a|span)>", found.group(1))


def test_every_page_has_a_trail_ending_in_itself(staff_client, estate):
    array, pool, team, project = estate.array, estate.pools[0], estate.teams[0], estate.projects[0]
    allocation = estate.allocations[0]
    expected = {
        "/": ["Overview"],
        "/storage/": ["Overview", "Storage"],
        f"/storage/{array.slug}/": ["Overview", "Storage", array.name],
        f"/storage/{array.slug}/{pool.slug}/": ["Overview", "Storage", array.name, pool.name],
        "/teams/": ["Overview", "Teams"],
        team.get_absolute_url(): ["Overview", "Teams", team.name],
        "/projects/": ["Overview", "Projects"],
        project.get_absolute_url(): ["Overview", "Projects", project.code],
        "/allocations/": ["Overview", "Allocations"],
        f"/allocations/{allocation.pk}/": ["Overview", "Allocations", f"{allocation.project.code} on {pool.name}"],
        "/search/?q=team": ["Overview", "Search"],
        "/collectors/": ["Overview", "Collectors"],
        "/api/tokens/": ["Overview", "API tokens"],
    }
    for url, labels in expected.items():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert trail(response.content.decode()) == labels, url


def test_the_trail_links_every_step_but_the_page_itself(staff_client, estate):
    array, pool = estate.array, estate.pools[0]
    html = staff_client.get(f"/storage/{array.slug}/{pool.slug}/").content.decode()
    nav = TRAIL.search(html).group(1)
    assert 'href="/"' in nav and 'href="/storage/"' in nav and f'href="/storage/{array.slug}/"' in nav
    assert f'<span aria-current="page">{pool.name}</span>' in nav
