"""Unbound extension singletons; create_app() binds them to an app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_mailman import Mail
from flask_wtf import CSRFProtect

from app.db import Database

db = Database()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
mail = Mail()
