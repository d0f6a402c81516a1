from backbone.cli import app

app(prog_name="backbone")
