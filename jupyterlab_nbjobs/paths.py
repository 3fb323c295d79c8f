"""Where this package lives."""

import os

# The folder that holds this package, installed or not: child Pythons (runners, the migration,
# the output-formats probe) import the package from here, as this process does.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
