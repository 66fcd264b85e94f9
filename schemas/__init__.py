"""Data contracts: pydantic models of the configuration files and Pandera models of the tables.

Imports nothing else of the project.
"""
