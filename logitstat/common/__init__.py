"""Shared helpers every layer may use: argument checks (:mod:`.checks`), compact reprs and
HTML/text display protocol (:mod:`.displays`), and pickling/``save``/``load`` (:mod:`.persist`).

Imports only :mod:`logitstat.errors`.
"""
