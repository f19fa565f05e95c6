variable "network_name" {
  description = "Name of an existing Docker network every container joins."
  type        = string
}

variable "labels" {
  description = "Labels to put on every container, merged under each container's own labels."
  type        = map(string)
  default     = {}
}

variable "platform" {
  description = <<-EOF
    The operator's settings for Docker: `image_map` replaces an image by another (e.g. an official image by one
    built from Debian's packages), else a non-empty `image_mirror` prefixes every image with a registry mirror
    (Docker Hub's official images under `library/`); `publish_ip` is the host address ports are published on
    where a port sets none (127.0.0.1 keeps services on the host alone).
  EOF
  type = object({
    image_map    = optional(map(string), {})
    image_mirror = optional(string, "")
    publish_ip   = optional(string, "0.0.0.0")
  })
  default = {}

  validation {
    condition     = alltrue([for image in values(var.platform.image_map) : can(regex("(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", image)) && !endswith(image, ":latest")])
    error_message = "Every image in platform.image_map must be pinned: a tag other than \"latest\" or a digest."
  }

  validation {
    condition     = can(cidrhost("${var.platform.publish_ip}/32", 0))
    error_message = "platform.publish_ip must be an IPv4 address, e.g. 127.0.0.1 or 0.0.0.0."
  }
}

variable "instances" {
  description = <<-EOT
    Containers to run, by key. Each needs a pinned image (a tag other than "latest", or a digest) and a health
    check; the apply waits until every container reports healthy, and a stop (docker stop, daemon restart) or a
    destroy lets the process shut down cleanly for `stop_timeout` seconds before it is killed.
  EOT
  type = map(object({
    name       = string                    # Container name.
    image      = string                    # Pinned image; pulled once and kept on the host.
    command    = optional(list(string))    # Replaces the image's CMD.
    entrypoint = optional(list(string))    # Replaces the image's ENTRYPOINT.
    env        = optional(map(string), {}) # Environment; a value may be sensitive.
    user       = optional(string)          # User (user:group) the process runs as.
    group_add  = optional(list(string))    # Extra groups, e.g. the Docker socket's GID.
    ports = optional(list(object({
      internal = number
      external = number
      ip       = optional(string) # Host address; platform.publish_ip when unset.
    })), [])                      # Ports published on the host.
    volumes = optional(list(object({
      volume_name    = optional(string)
      host_path      = optional(string)
      container_path = string
      read_only      = optional(bool, false)
    })), []) # Mounts: a named volume (data that outlives the container) or a host path.
    # Durations as Docker prints them back (30s, 1m0s, 1m30s): another spelling of the same time is a change at every plan.
    healthcheck = object({
      test         = list(string)
      interval     = optional(string, "10s")
      timeout      = optional(string, "5s")
      start_period = optional(string, "30s")
      retries      = optional(number, 5)
    }) # The apply waits until it passes.

    restart      = optional(string, "unless-stopped") # always, unless-stopped or on-failure: back after a reboot.
    stop_timeout = optional(number, 30)               # Seconds a stop or a destroy waits for a clean shutdown before the kill.
    wait_timeout = optional(number, 180)              # Seconds the apply waits for the container to be healthy.
    memory_mb    = optional(number)                   # Memory limit, in MiB.
    aliases      = optional(list(string), [])         # Extra names on the network.
    labels       = optional(map(string), {})          # Merged over the module's labels.
    uploads = optional(list(object({
      file    = string
      content = string
    })), []) # Files written into the container before it starts.
  }))

  validation {
    condition = alltrue([
      for i in values(var.instances) :
      can(regex("(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", i.image)) && !endswith(i.image, ":latest")
    ])
    error_message = "Every image must be pinned: a tag other than \"latest\" (e.g. postgres:17.6-alpine) or a digest."
  }

  validation {
    condition     = alltrue([for i in values(var.instances) : contains(["always", "unless-stopped", "on-failure"], i.restart)])
    error_message = "restart must be \"always\", \"unless-stopped\" or \"on-failure\": a SpawnIt container comes back after a reboot."
  }

  validation {
    condition     = alltrue([for i in values(var.instances) : length(i.healthcheck.test) > 0 && i.stop_timeout >= 10])
    error_message = "Every container needs a health check command and a stop_timeout of at least 10 seconds."
  }

  validation {
    condition = alltrue(flatten([
      for i in values(var.instances) : [for v in i.volumes : (v.volume_name == null) != (v.host_path == null)]
    ]))
    error_message = "Each volume mount sets exactly one of volume_name (a named volume) or host_path."
  }
}
