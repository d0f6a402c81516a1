"""Ed-Fi importer: interchange XML files or Ed-Fi API JSON resources → canonical table rows.

``read(source, options)`` takes a directory, a single file or a ``.zip`` of Ed-Fi files and
yields ``RowBatch``es for ``identity_record``, ``person_demographics``, ``school_enrollment``,
``attendance``, ``assessment``, ``discipline`` and ``program_participation``, plus ``Problem``s
and the schools' names (``CodeNames`` for ``school_id``).

The package follows Ed-Fi's own sections, each module stating its rules:

- ``interchange``: finding files (folders, zips), streaming XML interchanges, reading JSON
  resources, the supported Data Standard versions (5.x, 6.x) and the file-level problems;
- ``descriptors``: descriptor code values and backbone's code lists, dates and school years;
- ``students``: Student, demographics and StudentSchoolAssociation;
- ``attendance``: attendance events, calendars and sessions (days absent and enrolled);
- ``assessments``: scale scores, performance levels and proficiency;
- ``discipline``: incidents, offenders and actions;
- ``programs``: student program associations;
- ``schools``: each School's name, for pages to show instead of its id;
- ``assembly`` and ``reader``: records → batches of rows, and ``read`` itself.

A student referenced but missing from the Student file, when one was submitted, is an error.
"""

from backbone.intake.importers.edfi.reader import read

__all__ = ["read"]
