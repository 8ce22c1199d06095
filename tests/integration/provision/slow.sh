#!/bin/sh
# A script waiting on something that never comes (a prompt, a mirror).
echo "waiting for the package mirror"
sleep 600
