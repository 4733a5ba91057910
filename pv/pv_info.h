/*
 * pv_info.h — a printed report of the paravirtual platform (the debug shell's `pv` command).
 */
#ifndef _PV_PV_INFO_H_
#define _PV_PV_INFO_H_

/* Print hypervisor, clocksource, resolution, steal time and PV EOI figures. Any context that
 * may print. */
void pv_info_print(void);

#endif /* _PV_PV_INFO_H_ */
