/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The emulated device's "driver": an empty library named as the NVIDIA
 * driver's, so that the CUDA backend's check for the driver (a dlopen of
 * libcuda.so.1) finds one. Nothing calls into it.
 */
int ov_emu_driver_present = 1;
