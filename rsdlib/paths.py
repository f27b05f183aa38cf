"""Project paths from one root constant, never relative to the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "config"
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_CONFIG = CONFIG_DIR / "liemers.toml"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
OUTPUT_DIR = PROJECT_ROOT / "outputs"
