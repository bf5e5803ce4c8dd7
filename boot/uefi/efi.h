/*
 * efi.h - the part of the UEFI interface Keel's UEFI loader uses, written
 * from the UEFI specification 2.10.
 *
 *   4.2-4.4  EFI_TABLE_HEADER, EFI_SYSTEM_TABLE, EFI_BOOT_SERVICES
 *   4.6      EFI_CONFIGURATION_TABLE and the ACPI table GUIDs
 *   7.1-7.4  the boot services used (events, memory, protocols, images)
 *   9.1      EFI_LOADED_IMAGE_PROTOCOL
 *   12.3-4   EFI_SIMPLE_TEXT_INPUT_PROTOCOL, EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL
 *   12.9     EFI_GRAPHICS_OUTPUT_PROTOCOL
 *   13.4-5   EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, EFI_FILE_PROTOCOL, EFI_FILE_INFO
 *   Appendix D  status codes
 *
 * Every firmware function uses the Microsoft x64 calling convention (2.3.4.2,
 * EFIAPI); the loader is compiled for a Windows target, whose default that is,
 * and EFIAPI says so once more. Table slots the loader never calls are
 * `void *`, so the layout stays the spec's while the header stays short; the
 * offsets the loader relies on are checked below. Memory types and the
 * memory descriptor are in efi_memmap.h, shared with the kernel.
 */
#ifndef KEEL_BOOT_UEFI_EFI_H
#define KEEL_BOOT_UEFI_EFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <boot/uefi/efi_memmap.h>

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef void *efi_event;
typedef uint16_t efi_char16; /* UCS-2 (2.3.1, CHAR16) */

/* Status codes (Appendix D): errors have the top bit set. */
#define EFI_ERROR_BIT         (1ull << 63)
#define EFI_SUCCESS           0
#define EFI_LOAD_ERROR        (EFI_ERROR_BIT | 1)
#define EFI_INVALID_PARAMETER (EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED       (EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL  (EFI_ERROR_BIT | 5)
#define EFI_NOT_READY         (EFI_ERROR_BIT | 6)
#define EFI_DEVICE_ERROR      (EFI_ERROR_BIT | 7)
#define EFI_OUT_OF_RESOURCES  (EFI_ERROR_BIT | 9)
#define EFI_VOLUME_CORRUPTED  (EFI_ERROR_BIT | 10)
#define EFI_NOT_FOUND         (EFI_ERROR_BIT | 14)
#define EFI_ACCESS_DENIED     (EFI_ERROR_BIT | 15)
#define EFI_ABORTED           (EFI_ERROR_BIT | 21)
#define EFI_IS_ERROR(status)  (((status)&EFI_ERROR_BIT) != 0)

/* EFI_GUID (2.3.1): 128 bits, the first three fields little endian. */
struct efi_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

#define EFI_LOADED_IMAGE_PROTOCOL_GUID                                                             \
    {                                                                                              \
        0x5b1b31a1, 0x9562, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID                                                       \
    {                                                                                              \
        0x964e5b22, 0x6459, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
#define EFI_FILE_INFO_ID                                                                           \
    {                                                                                              \
        0x09576e92, 0x6d3f, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
#define EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID                                                          \
    {                                                                                              \
        0x9042a9de, 0x23dc, 0x4a38,                                                                \
        {                                                                                          \
            0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a                                         \
        }                                                                                          \
    }
#define EFI_ACPI_20_TABLE_GUID                                                                     \
    {                                                                                              \
        0x8868e871, 0xe4f1, 0x11d3,                                                                \
        {                                                                                          \
            0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81                                         \
        }                                                                                          \
    }
#define EFI_ACPI_10_TABLE_GUID                                                                     \
    {                                                                                              \
        0xeb9d2d30, 0x2d88, 0x11d3,                                                                \
        {                                                                                          \
            0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d                                         \
        }                                                                                          \
    }

struct efi_table_header {
    uint64_t signature;
    uint32_t revision;
    uint32_t header_size;
    uint32_t crc32;
    uint32_t reserved;
};

/* ---------------------------------------------------------------- text console (12.3, 12.4) */

struct efi_input_key {
    uint16_t scan_code;
    efi_char16 unicode_char;
};

struct efi_simple_text_input_protocol {
    efi_status(EFIAPI *reset)(struct efi_simple_text_input_protocol *self, uint8_t extended);
    efi_status(EFIAPI *read_key_stroke)(struct efi_simple_text_input_protocol *self,
                                        struct efi_input_key *key);
    efi_event wait_for_key; /* signalled while a key waits to be read */
};

struct efi_simple_text_output_protocol {
    efi_status(EFIAPI *reset)(struct efi_simple_text_output_protocol *self, uint8_t extended);
    efi_status(EFIAPI *output_string)(struct efi_simple_text_output_protocol *self,
                                      const efi_char16 *string);
    void *test_string;
    void *query_mode;
    void *set_mode;
    efi_status(EFIAPI *set_attribute)(struct efi_simple_text_output_protocol *self,
                                      uint64_t attribute);
    void *clear_screen;
    void *set_cursor_position;
    void *enable_cursor;
    void *mode;
};

/* SetAttribute(): foreground | background << 4 (12.4, "SetAttribute()"). */
#define EFI_LIGHTGRAY      0x07
#define EFI_WHITE          0x0F
#define EFI_BACKGROUND_RED (0x04 << 4)

/* ---------------------------------------------------------------- graphics (12.9) */

enum efi_graphics_pixel_format {
    EFI_PIXEL_RGB_RESERVED_8BIT = 0, /* byte 0 red, 1 green, 2 blue, 3 reserved */
    EFI_PIXEL_BGR_RESERVED_8BIT = 1, /* byte 0 blue, 1 green, 2 red, 3 reserved */
    EFI_PIXEL_BIT_MASK = 2,          /* the masks in pixel_information */
    EFI_PIXEL_BLT_ONLY = 3,          /* no linear framebuffer */
};

struct efi_pixel_bitmask {
    uint32_t red_mask, green_mask, blue_mask, reserved_mask;
};

struct efi_graphics_output_mode_information {
    uint32_t version;
    uint32_t horizontal_resolution;
    uint32_t vertical_resolution;
    uint32_t pixel_format; /* enum efi_graphics_pixel_format */
    struct efi_pixel_bitmask pixel_information;
    uint32_t pixels_per_scan_line;
};

struct efi_graphics_output_protocol_mode {
    uint32_t max_mode;
    uint32_t mode;
    struct efi_graphics_output_mode_information *info;
    uint64_t size_of_info;
    uint64_t frame_buffer_base;
    uint64_t frame_buffer_size;
};

struct efi_graphics_output_protocol {
    efi_status(EFIAPI *query_mode)(struct efi_graphics_output_protocol *self, uint32_t mode,
                                   uint64_t *size_of_info,
                                   struct efi_graphics_output_mode_information **info);
    efi_status(EFIAPI *set_mode)(struct efi_graphics_output_protocol *self, uint32_t mode);
    void *blt;
    struct efi_graphics_output_protocol_mode *mode;
};

/* ---------------------------------------------------------------- files (13.4, 13.5) */

#define EFI_FILE_MODE_READ 0x0000000000000001ull

struct efi_file_protocol {
    uint64_t revision;
    efi_status(EFIAPI *open)(struct efi_file_protocol *self, struct efi_file_protocol **new_handle,
                             const efi_char16 *file_name, uint64_t open_mode, uint64_t attributes);
    efi_status(EFIAPI *close)(struct efi_file_protocol *self);
    void *delete_file;
    efi_status(EFIAPI *read)(struct efi_file_protocol *self, uint64_t *buffer_size, void *buffer);
    void *write;
    void *get_position;
    efi_status(EFIAPI *set_position)(struct efi_file_protocol *self, uint64_t position);
    efi_status(EFIAPI *get_info)(struct efi_file_protocol *self,
                                 const struct efi_guid *information_type, uint64_t *buffer_size,
                                 void *buffer);
};

struct efi_time {
    uint16_t year;
    uint8_t month, day, hour, minute, second, pad1;
    uint32_t nanosecond;
    int16_t time_zone;
    uint8_t daylight, pad2;
};

/* EFI_FILE_INFO; the file name (CHAR16, NUL-terminated) follows. */
struct efi_file_info {
    uint64_t size; /* of this structure with the name */
    uint64_t file_size;
    uint64_t physical_size;
    struct efi_time create_time, last_access_time, modification_time;
    uint64_t attribute;
};

struct efi_simple_file_system_protocol {
    uint64_t revision;
    efi_status(EFIAPI *open_volume)(struct efi_simple_file_system_protocol *self,
                                    struct efi_file_protocol **root);
};

/* ---------------------------------------------------------------- loaded image (9.1) */

struct efi_system_table;

struct efi_loaded_image_protocol {
    uint32_t revision;
    efi_handle parent_handle;
    struct efi_system_table *system_table;
    efi_handle device_handle; /* the device the image was loaded from */
    void *file_path;
    void *reserved;
    uint32_t load_options_size;
    void *load_options;
    void *image_base;
    uint64_t image_size;
    uint32_t image_code_type;
    uint32_t image_data_type;
    void *unload;
};

/* ---------------------------------------------------------------- boot services (4.4, 7) */

/* EFI_ALLOCATE_TYPE (7.2.1 AllocatePages()). */
enum efi_allocate_type {
    EFI_ALLOCATE_ANY_PAGES = 0,
    EFI_ALLOCATE_MAX_ADDRESS = 1, /* at or below *memory */
    EFI_ALLOCATE_ADDRESS = 2,     /* exactly at *memory */
};

struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl;
    void *restore_tpl;
    efi_status(EFIAPI *allocate_pages)(uint32_t type, uint32_t memory_type, uint64_t pages,
                                       uint64_t *memory);
    efi_status(EFIAPI *free_pages)(uint64_t memory, uint64_t pages);
    efi_status(EFIAPI *get_memory_map)(uint64_t *memory_map_size, void *memory_map,
                                       uint64_t *map_key, uint64_t *descriptor_size,
                                       uint32_t *descriptor_version);
    efi_status(EFIAPI *allocate_pool)(uint32_t memory_type, uint64_t size, void **buffer);
    efi_status(EFIAPI *free_pool)(void *buffer);
    void *create_event;
    void *set_timer;
    efi_status(EFIAPI *wait_for_event)(uint64_t number_of_events, efi_event *event,
                                       uint64_t *index);
    void *signal_event;
    void *close_event;
    void *check_event;
    void *install_protocol_interface;
    void *reinstall_protocol_interface;
    void *uninstall_protocol_interface;
    efi_status(EFIAPI *handle_protocol)(efi_handle handle, const struct efi_guid *protocol,
                                        void **interface);
    void *reserved;
    void *register_protocol_notify;
    void *locate_handle;
    void *locate_device_path;
    void *install_configuration_table;
    void *load_image;
    void *start_image;
    void *exit;
    void *unload_image;
    efi_status(EFIAPI *exit_boot_services)(efi_handle image_handle, uint64_t map_key);
    void *get_next_monotonic_count;
    efi_status(EFIAPI *stall)(uint64_t microseconds);
    efi_status(EFIAPI *set_watchdog_timer)(uint64_t timeout, uint64_t watchdog_code,
                                           uint64_t data_size, const efi_char16 *watchdog_data);
    void *connect_controller;
    void *disconnect_controller;
    void *open_protocol;
    void *close_protocol;
    void *open_protocol_information;
    void *protocols_per_handle;
    void *locate_handle_buffer;
    efi_status(EFIAPI *locate_protocol)(const struct efi_guid *protocol, void *registration,
                                        void **interface);
};

struct efi_configuration_table {
    struct efi_guid vendor_guid;
    void *vendor_table;
};

struct efi_system_table {
    struct efi_table_header hdr;
    efi_char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    struct efi_simple_text_input_protocol *con_in;
    efi_handle console_out_handle;
    struct efi_simple_text_output_protocol *con_out;
    efi_handle standard_error_handle;
    struct efi_simple_text_output_protocol *std_err;
    void *runtime_services;
    struct efi_boot_services *boot_services;
    uint64_t number_of_table_entries;
    struct efi_configuration_table *configuration_table;
};

/* Offsets from the spec's tables (each slot 8 bytes after a 24-byte header). */
_Static_assert(offsetof(struct efi_system_table, con_out) == 0x40, "ConOut at 0x40");
_Static_assert(offsetof(struct efi_system_table, boot_services) == 0x60, "BootServices at 0x60");
_Static_assert(offsetof(struct efi_system_table, configuration_table) == 0x70,
               "ConfigurationTable at 0x70");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 0x38, "GetMemoryMap at 0x38");
_Static_assert(offsetof(struct efi_boot_services, handle_protocol) == 0x98,
               "HandleProtocol at 0x98");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 0xE8,
               "ExitBootServices at 0xE8");
_Static_assert(offsetof(struct efi_boot_services, locate_protocol) == 0x140,
               "LocateProtocol at 0x140");
_Static_assert(offsetof(struct efi_loaded_image_protocol, device_handle) == 0x18,
               "DeviceHandle at 0x18");
_Static_assert(sizeof(struct efi_time) == 16, "EFI_TIME is 16 bytes");
_Static_assert(offsetof(struct efi_file_info, attribute) == 72, "Attribute at 72");
_Static_assert(offsetof(struct efi_file_protocol, get_info) == 64, "GetInfo at 64");
_Static_assert(offsetof(struct efi_graphics_output_protocol_mode, frame_buffer_base) == 24,
               "FrameBufferBase at 24");

#endif
