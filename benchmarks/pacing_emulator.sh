# Sourced by benchmarks/pacing_*.sh: starts ivschat-emulator enforcing
# CreateChatToken=500/s (over TLS, in $work), exports the environment that
# points the tools at it, and creates $room. The caller sets $work and its
# EXIT trap kills $emulator.
build/bin/ivschat-emulator --tls --port 0 --enforce-quotas --quota CreateChatToken=500 --ca-bundle "$work/ca.pem" >"$work/emulator.out" &
emulator=$!
for _ in $(seq 100); do [[ $(wc -l <"$work/emulator.out") -ge 2 ]] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_IVSCHAT=$(head -1 "$work/emulator.out") AWS_CA_BUNDLE="$work/ca.pem" AWS_REGION=us-west-2 \
       AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
room=$(build/bin/ivschat create-room --query arn --output text)
