#!/bin/sh
# Installs the Debian packages ParcelGuard uses (CJK label font, Chromium for browser tests,
# Redis for the shared rate limits, Tesseract with chi_sim to verify redacted photos,
# handwriting fonts for the photo evaluation, Node.js for the test OpenID provider, SoftHSM2
# for the PKCS#11 keyring, rsyslog with GnuTLS as the SIEM receiver, wrk to drive the HTTP
# benchmarks) when apt is usable; elsewhere it says what is missing and carries on.
set -u
need=""
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need="$need fonts-wqy-microhei"
[ -x /usr/bin/chromium ] || need="$need chromium"
[ -x /usr/bin/redis-server ] || need="$need redis-server"  # shared rate limits, tested in CI
[ -x /usr/bin/tesseract ] || need="$need tesseract-ocr"
[ -e /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] || need="$need tesseract-ocr-chi-sim"
[ -e /usr/share/fonts/truetype/arphic/ukai.ttc ] || need="$need fonts-arphic-ukai"
[ -e /usr/share/fonts/truetype/fifthhorseman/dkg.ttf ] || need="$need fonts-dkg-handwriting"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need="$need softhsm2"
[ -x /usr/sbin/rsyslogd ] || need="$need rsyslog"
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || [ -e /usr/lib/rsyslog/lmnsd_gtls.so ] \
    || need="$need rsyslog-gnutls"
[ -x /usr/bin/wrk ] || need="$need wrk"  # bench/http_wrk.py drives the API with it
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing Debian packages:$need" >&2
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 \
        || echo "warning: apt-get could not install$need" >&2
else
    echo "warning: apt not usable; please install$need (labels fall back to no CJK font)" >&2
fi
exit 0
