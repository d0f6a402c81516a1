"""Importers, one module or package per format: each has a reader ``read(source, options)``
yielding ``RowBatch``es and ``Problem``s, named by a contract in ``backbone.warehouse.contracts``.
"""
