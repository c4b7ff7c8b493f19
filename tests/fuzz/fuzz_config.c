/* Fuzz target: perfgate.yml bytes -> pg_config_parse. */
#include <math.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_config_parse(&cfg, "fuzz.yml", (const char *)data, size, &err) < 0) {
		/* A refusal names the file and says why; the config is left released. */
		FUZZ_CHECK(err.kind == PG_ERR_USAGE);
		FUZZ_CHECK(strncmp(err.msg, "fuzz.yml", 8) == 0);
		FUZZ_CHECK(cfg.nr_benches == 0 && cfg.benches == NULL);
	} else {
		FUZZ_CHECK(cfg.nr_benches > 0);
		for (size_t i = 0; i < cfg.nr_benches; i++) {
			FUZZ_CHECK(cfg.benches[i].name && cfg.benches[i].run);
			FUZZ_CHECK(cfg.benches[i].repeat_min <= cfg.benches[i].repeat_max);
			FUZZ_CHECK(pg_config_bench(&cfg, cfg.benches[i].name) != NULL);
		}
		for (size_t i = 0; i < cfg.nr_budgets; i++) {
			const struct pg_budget_rule *r = &cfg.budgets[i];
			/* NaN or infinite budgets would make the gate pass by accident (A5). */
			FUZZ_CHECK(!r->has_max || (isfinite(r->max) && r->max >= 0));
			FUZZ_CHECK(!r->has_min || (isfinite(r->min) && r->min >= 0));
			FUZZ_CHECK(!r->has_regress || (isfinite(r->regress) && r->regress >= 0));
		}
	}
	pg_config_release(&cfg);
	return 0;
}
