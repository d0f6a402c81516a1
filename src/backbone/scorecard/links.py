"""Relative links between scorecard pages, the same on the server and in the static site.

The server's URLs mirror the static site's folders (``indicators/<slug>/``), so every link is
relative to the page it is on and a page works wherever the site is copied. The static site adds
``index.html`` because a browser opening files (``file://``) does not look for it in a folder.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    """Links from one page: ``root`` leads to the scorecard's home folder ("" or "../../"),
    ``index`` ends links to folders ("" on the server, "index.html" in the static site) and
    ``assets`` is where the stylesheets are.

    >>> Links("../../", "index.html", "../../static/").indicator("grade3_reading")
    '../../indicators/grade3_reading/index.html'
    >>> Links("", "", "/static/").home
    './'
    """

    root: str
    index: str
    assets: str

    @property
    def home(self) -> str:
        return self.root + self.index or "./"

    def outcome(self, slug: str) -> str:
        return f"{self.root}outcomes/{slug}/{self.index}"

    def indicator(self, slug: str) -> str:
        return f"{self.root}indicators/{slug}/{self.index}"

    @property
    def what_works(self) -> str:
        """The page of published studies.

        >>> static_links(1).what_works
        '../what-works/index.html'
        """
        return f"{self.root}what-works/{self.index}"

    def embed(self, slug: str) -> str:
        return f"{self.root}embed/{slug}/{self.index}"

    def data(self, slug: str, extension: str) -> str:
        return f"{self.root}indicators/{slug}/data.{extension}"

    def download(self, name: str) -> str:
        """A site-wide file: ``annual-report.pdf``, ``data/results.csv``…"""
        return self.root + name

    def asset(self, name: str) -> str:
        return self.assets + name


def static_links(depth: int) -> Links:
    """Links from a page ``depth`` folders below the static site's root.

    >>> static_links(2).home
    '../../index.html'
    """
    root = "../" * depth
    return Links(root, "index.html", root + "static/")
