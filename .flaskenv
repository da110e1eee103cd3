# Read by `flask ...` (python-dotenv) so the commands in the README work from the checkout as written.
FLASK_APP=portal
