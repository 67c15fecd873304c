"""The pieces behind `masthead_demo`: a plan, prose, pictures and a bulk page writer.

`masthead.demo.services.generate_demo` puts them together; nothing here touches the
database except `bulk`.
"""
