"""Loaded with ``-p`` before pytest-django reads the settings: one throwaway workspace per run,
so tests never touch ``./backbone-data``."""

import os
import tempfile

os.environ["BACKBONE_WORKSPACE"] = tempfile.mkdtemp(prefix="backbone-test-")
