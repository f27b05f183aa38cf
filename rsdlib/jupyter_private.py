"""The private parts of Jupyter libraries that rsdlib leans on, named in one place.

rsdlib.kernels and rsdlib.zygote start the batch's kernels fast (forked from a zygote, a spare
ahead, a client that does not idle 0,2 s). For that they use parts of jupyter_client, nbclient,
papermill and ipykernel that those libraries do not promise to keep, and copy one of their
method bodies. (rsdlib.page no longer uses nbconvert: it builds the page from the notebook's
outputs itself.) Each such part is listed here; pyproject.toml pins each library below its next
minor release, uv.lock holds the release the tests ran with, and tests/test_jupyter_private.py
checks every entry against the installed libraries (a copied body by the hash of its source),
so that an upgrade that moves one fails a fast test instead of a batch.

Raising a pin: upgrade in the lock (`make lock-upgrade`), run `make test`; where an entry's
test fails, read the library's change, adapt the rsdlib code named in `used_by`, then update
the entry (for a copied body, its `source_sha256`).

`RSD_FORK_KERNELS=0` (or `[batch] fork_kernels = false`) starts kernels the ordinary way,
without the zygote: the fallback when a release breaks the fork.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Private:
    """One private part: where it is, what rsdlib does with it, and where."""

    module: str
    name: str                   # attribute path in the module ("Class.method")
    use: str                    # "override", "call", "copy", "attribute", "argument"
    used_by: str
    source_sha256: str = ""     # for a copied body: sha256 of inspect.getsource, first 16


PRIVATE: tuple[Private, ...] = (
    Private("jupyter_client.provisioning.local_provisioner", "LocalProvisioner.launch_kernel",
            "override", "kernels._provisioner: the zygote forks ipykernel; sets process, pid, "
            "pgid, cwd and returns connection_info as the original does"),
    Private("jupyter_client.provisioning.local_provisioner", "LocalProvisioner.connection_info",
            "attribute", "kernels._provisioner"),
    Private("jupyter_client.asynchronous", "AsyncKernelClient._async_is_alive", "call",
            "kernels._ready_client: wait_for_ready without the 0,2 s IOPub flush"),
    Private("jupyter_client.asynchronous", "AsyncKernelClient._handle_kernel_info_reply", "call",
            "kernels._ready_client"),
    Private("jupyter_client.manager", "AsyncKernelManager.provisioner", "attribute",
            "kernels.start: the provisioner set before start_kernel"),
    Private("papermill.engines", "NBClientEngine.execute_managed_notebook", "copy",
            "kernels.engine: the body with a client that owns the kernel it is handed",
            "5db3562c458aeaaa"),
    Private("papermill.clientwrap", "PapermillNotebookClient", "override", "kernels.engine"),
    Private("papermill.utils", "merge_kwargs", "call", "kernels.engine"),
    Private("papermill.utils", "remove_args", "call", "kernels.engine"),
    Private("nbclient.client", "NotebookClient.owns_km", "attribute",
            "kernels.engine: set True so the client stops the kernel after the notebook"),
    Private("ipykernel.kernelapp", "launch_new_instance", "call",
            "zygote._become_kernel: ipykernel's entry point in the forked child"),
    Private("ipykernel.kernelapp", "IPKernelApp.parent_handle", "argument",
            "zygote._become_kernel: the kernel stops with its zygote"),
)
