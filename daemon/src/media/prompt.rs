//! Prompts: loading, caching and playing audio files (being written).
