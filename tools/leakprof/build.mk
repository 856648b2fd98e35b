# leakprof, the reader. (Placeholder until tools/leakprof/ has its sources.)
$(BUILD)/leakprof:
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\necho "leakprof: not built yet" >&2; exit 2\n' > $@; chmod +x $@
