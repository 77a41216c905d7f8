//! Recording to WAV on a writer thread (being written).
