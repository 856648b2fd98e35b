/*
 * ages — the profile source of ordinary snapshots: each stack's live blocks split by age class,
 * each sample labelled with the age (seconds) of its youngest block; a stack's allocation totals
 * on its oldest sample (or on one without age when nothing of it is live).
 */
#ifndef LIBLEAK_AGES_H
#define LIBLEAK_AGES_H

struct libleak_profile_source;
const struct libleak_profile_source *libleak_ages_source(void);

#endif
