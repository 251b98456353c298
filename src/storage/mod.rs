//! Certificate lineages and accounts on disk, in Certbot's layout.
