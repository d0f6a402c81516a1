from django.http import HttpRequest

from backbone.partnership.models import Partnership


def partnership(request: HttpRequest) -> dict[str, object]:
    """Make the partnership's name available to every page's header."""
    return {"partnership": Partnership.objects.first()}
