"""`vdp serve`'s HTTP side: the API's and the policy site's servers."""
