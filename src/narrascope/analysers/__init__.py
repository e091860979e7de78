"""Analysers: pipeline components that read a Document and add one layer each."""
