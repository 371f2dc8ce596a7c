// A runtime file that reaches up into the core: the layering check must refuse it.
#include "core/engine_core.hpp"
