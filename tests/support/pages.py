"""Checks of a rendered page that several tests share."""

import re


def assert_error_summary_links_resolve(page: str) -> None:
    """The page has an error summary, and each of its links leads to an element of the page (a field
    set only by a link, such as ?page=, has none: the summary must name it without a link)."""
    assert 'id="error-summary"' in page
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in page, f"the error summary links to #{target}, which is not on the page"
