variable "network_name" {
  description = "Name of an existing Docker network every container joins."
  type        = string
}

variable "labels" {
  description = "Labels to put on every container, merged under each container's own labels."
  type        = map(string)
  default     = {}
}

variable "instances" {
  description = <<-EOT
    Containers to run, by key. Each needs a pinned image (a tag other than "latest", or a digest) and a health
    check; the apply waits until every container reports healthy, and a stop lets the process shut down
    cleanly for `stop_timeout` seconds before it is killed.
  EOT
  type = map(object({
    name       = string
    image      = string
    command    = optional(list(string))
    entrypoint = optional(list(string))
    env        = optional(map(string), {})
    user       = optional(string)
    group_add  = optional(list(string), [])
    ports = optional(list(object({
      internal = number
      external = number
      ip       = optional(string, "0.0.0.0")
    })), [])
    volumes = optional(list(object({
      volume_name    = optional(string)
      host_path      = optional(string)
      container_path = string
      read_only      = optional(bool, false)
    })), [])
    healthcheck = object({
      test         = list(string)
      interval     = optional(string, "10s")
      timeout      = optional(string, "5s")
      start_period = optional(string, "30s")
      retries      = optional(number, 5)
    })
    restart      = optional(string, "unless-stopped")
    stop_timeout = optional(number, 30)
    wait_timeout = optional(number, 180)
    memory_mb    = optional(number)
    aliases      = optional(list(string), [])
    labels       = optional(map(string), {})
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
    condition     = alltrue([for i in values(var.instances) : length(i.healthcheck.test) > 0 && i.stop_timeout >= 5])
    error_message = "Every container needs a health check command and a stop_timeout of at least 5 seconds."
  }

  validation {
    condition = alltrue(flatten([
      for i in values(var.instances) : [for v in i.volumes : (v.volume_name == null) != (v.host_path == null)]
    ]))
    error_message = "Each volume mount sets exactly one of volume_name (a named volume) or host_path."
  }
}
