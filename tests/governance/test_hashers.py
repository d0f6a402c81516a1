"""Passwords are stored as Argon2id at OWASP's minimum parameters; hashes made with Django's
heavier defaults still sign in and are stored again at these; hashes queue at the gate."""

from __future__ import annotations

import threading

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.contrib.auth.models import User
from django.test import Client

from backbone.governance import hashers

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password"
# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB (19456 KiB), t=2, p=1.
OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
# Django 5.2's own Argon2PasswordHasher: m=102400 KiB, t=2, p=8.
DJANGO_DEFAULT = "argon2$argon2id$v=19$m=102400,t=2,p=8$"


def test_a_new_password_is_stored_at_owasps_parameters():
    user = User.objects.create_user("ana", password=PASSWORD)
    assert user.password.startswith(OWASP)
    assert user.check_password(PASSWORD) and not user.check_password("a wrong password")


def test_a_password_stored_with_djangos_defaults_signs_in_and_is_stored_again():
    user = User.objects.create_user("ana")
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save()
    assert user.password.startswith(DJANGO_DEFAULT)
    client = Client()
    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith(OWASP)
    assert argon2.PasswordHasher().verify(user.password.removeprefix("argon2"), PASSWORD)


def test_a_wrong_password_does_not_replace_an_old_hash():
    user = User.objects.create_user("ana")
    user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    user.save()
    assert Client().post("/login/", {"username": "ana", "password": "wrong"}).status_code == 200
    user.refresh_from_db()
    assert user.password.startswith(DJANGO_DEFAULT)


def test_simultaneous_checks_hash_no_more_at_once_than_the_gate_allows():
    stored = make_password(PASSWORD)
    results: list[bool] = []
    guesses = [PASSWORD, "wrong"] * 4
    threads = [
        threading.Thread(target=lambda g=g: results.append(check_password(g, stored)))
        for g in guesses
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 4 + [True] * 4
    gate = hashers.gate()
    assert 1 <= gate.peak <= gate.size and gate.inside == 0
