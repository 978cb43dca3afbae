"""REST API of the registry: persons and households.

One APIView per operation (HackSoft): parse with the InputSerializer, reach the record through
the access policy (selectors), call a service, render with the OutputSerializer.

Access and audit are those of the web interface:
- a record outside the caller's scope answers 404, exactly like a missing one, and the
  attempt on an existing record is written to the audit log (ACCESS_DENIED);
- a collection the caller holds no permission for answers 403;
- every read that shows personal data writes an audit entry with ids only.

Field sensitivity: parts of a person the caller's clearance does not reach are returned as
`null` (the key is always present) and named in `withheld`, so a client can tell "withheld"
from "empty".
"""

from amparo.registry.api.households import (
    HouseholdArchiveApi,
    HouseholdCreateApi,
    HouseholdDetailApi,
    HouseholdListApi,
    HouseholdMemberAddApi,
    HouseholdMemberLeaveApi,
    HouseholdUpdateApi,
)
from amparo.registry.api.person_details import (
    PersonAddressAddApi,
    PersonContactAddApi,
    PersonDetailRemoveApi,
    PersonDocumentAddApi,
)
from amparo.registry.api.persons import (
    PersonArchiveApi,
    PersonCreateApi,
    PersonDetailApi,
    PersonListApi,
    PersonUpdateApi,
)

__all__ = [
    "HouseholdArchiveApi",
    "HouseholdCreateApi",
    "HouseholdDetailApi",
    "HouseholdListApi",
    "HouseholdMemberAddApi",
    "HouseholdMemberLeaveApi",
    "HouseholdUpdateApi",
    "PersonAddressAddApi",
    "PersonArchiveApi",
    "PersonContactAddApi",
    "PersonCreateApi",
    "PersonDetailApi",
    "PersonDetailRemoveApi",
    "PersonDocumentAddApi",
    "PersonListApi",
    "PersonUpdateApi",
]
