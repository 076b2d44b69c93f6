from jamsos.accounts.apis import router as accounts_router
from jamsos.agents.apis import router as agents_router
from jamsos.api.base import api
from jamsos.audit.apis import router as audit_router
from jamsos.budget.apis import router as budget_router
from jamsos.claims.apis import router as claims_router
from jamsos.contributions.apis import router as contributions_router
from jamsos.enrollment.apis import router as enrollment_router
from jamsos.intake.apis import router as intake_router
from jamsos.regions.apis import router as regions_router
from jamsos.registry.apis import router as registry_router

api.add_router("/accounts", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/regions", regions_router)
api.add_router("/registry", registry_router)
api.add_router("/intake", intake_router)
api.add_router("/budget", budget_router)
api.add_router("/enrollment", enrollment_router)
api.add_router("/contributions", contributions_router)
api.add_router("/claims", claims_router)
api.add_router("/agents", agents_router)

__all__ = ["api"]
