from django.contrib.auth import views as auth_views
from django.urls import include, path

from fazhi.casefile_review import views as review_views
from fazhi.evaluation import views as evaluation_views
from fazhi.indicators import views as indicator_views
from fazhi.inspections import views as inspection_views
from fazhi.reader import views as reader_views
from fazhi.registers.contract_review import views as contract_views
from fazhi.registers.enforcement import views as enforcement_views
from fazhi.registers.major_decisions import views as decision_views
from fazhi.registers.normative_docs import views as normative_views
from fazhi.reports import views as report_views
from fazhi.supervision import views as supervision_views
from fazhi.web import portal, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("r/<str:register>/", views.matter_list, name="matter_list"),
    path("r/<str:register>/new/", views.matter_new, name="matter_new"),
    path("r/<str:register>/export.xlsx", views.ledger_export_view, name="ledger_export"),
    path("r/<str:register>/template.xlsx", views.ledger_template_view, name="ledger_template"),
    path("r/<str:register>/import/", views.ledger_import_view, name="ledger_import"),
    path("r/<str:register>/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("r/<str:register>/<int:pk>/do/<str:transition>/", views.matter_do, name="matter_do"),
    path("r/<str:register>/<int:pk>/amend/", views.matter_amend_view, name="matter_amend"),
    path("audit/", views.audit_page, name="audit"),
    path("gongkai/", portal.disclosure_apply, name="portal_apply"),
    path("gongkai/chaxun/", portal.disclosure_status, name="portal_status"),
    path("gongkai/guifan/", normative_views.portal_list, name="normative_portal"),
    path("gongkai/guifan/export.xlsx", normative_views.portal_export, name="normative_portal_export"),
    path("gongkai/guifan/<int:pk>/", normative_views.portal_document, name="normative_portal_document"),
    path("gongkai/guifan/mulu/<int:pk>.json", normative_views.portal_snapshot, name="normative_portal_snapshot"),
    path("guifan/fabu/", normative_views.staff_publish, name="normative_catalogue_publish"),
    path("gongkai/juece/", decision_views.portal_list, name="decision_portal"),
    path("gongkai/juece/<int:pk>/", decision_views.portal_decision, name="decision_portal_detail"),
    path("juece/mulu/", decision_views.catalogue_list, name="decision_catalogues"),
    path("juece/mulu/<int:pk>/", decision_views.catalogue_detail, name="decision_catalogue"),
    path("falvguwen/", contract_views.adviser_list, name="advisers"),
    path("falvguwen/<int:pk>/", contract_views.adviser_edit, name="adviser_edit"),
    path("falvguwen/import/", contract_views.adviser_import, name="advisers_import"),
    path("falvguwen/export.xlsx", contract_views.adviser_export, name="advisers_export"),
    path("falvguwen/template.xlsx", contract_views.adviser_template, name="advisers_template"),
    path("fashen/<int:pk>/document/", contract_views.document_upload, name="contract_review_document_upload"),
    path("fashen/<int:pk>/document/<int:doc_id>/", contract_views.document_download, name="contract_review_document"),
    path("gongshi/zhifa/", enforcement_views.publicity_portal, name="publicity_portal"),
    path("gongshi/quanze/", enforcement_views.powers_portal, name="powers_portal"),
    path("gongshi/choucha/", inspection_views.draws_portal, name="draws_portal"),
    path("gongshi/choucha/<int:pk>.json", inspection_views.draw_file, name="draw_file"),
    path("zhifa/<int:pk>/evidence/", enforcement_views.evidence_upload, name="evidence_upload"),
    path("zhifa/<int:pk>/evidence/<int:item_id>/", enforcement_views.evidence_download, name="evidence_download"),
    path("zhifa/gongshi/", enforcement_views.publicity_staff, name="publicity_staff"),
    path("zhifa/renyuan/", enforcement_views.officers_page, name="officers"),
    path("xuefa/", include("fazhi.registers.law_study.urls")),
    path("zhifa/yisong/", enforcement_views.transfer_board, name="transfer_board"),
    path("choucha/", inspection_views.plan_list, name="inspection_plans"),
    path("choucha/<int:pk>/", inspection_views.plan_detail, name="inspection_plan"),
    path("pingcha/", review_views.campaign_list, name="review_campaigns"),
    path("pingcha/<int:pk>/", review_views.campaign_detail, name="review_campaign"),
    path("pingcha/<int:pk>/file/<int:file_id>/", review_views.file_score_view, name="review_file"),
    path("pingcha/<int:pk>/notice/<int:notice_id>/", review_views.notice_report_view, name="review_notice_report"),
    path("zhibiao/", indicator_views.dashboard, name="indicators_dashboard"),
    path("zhibiao/<str:code>/", indicator_views.trace_page, name="indicator_trace"),
    path("zhibiao/<str:code>/export.xlsx", indicator_views.trace_xlsx, name="indicator_trace_xlsx"),
    path("kaohe/", evaluation_views.scheme_list, name="evaluation_schemes"),
    path("kaohe/<int:pk>/", evaluation_views.scheme_detail, name="evaluation_scheme"),
    path("kaohe/<int:pk>/compute/", evaluation_views.scheme_compute, name="evaluation_compute"),
    path("kaohe/<int:pk>/publish/", evaluation_views.scheme_publish, name="evaluation_publish"),
    path("kaohe/<int:pk>/unit/<int:unit_id>/", evaluation_views.unit_score, name="evaluation_unit"),
    path("kaohe/<int:pk>/evidence/<int:manual_id>/", evaluation_views.evidence_download, name="evaluation_evidence"),
    path("yuedu/", reader_views.reader, name="reader"),
    path("ducha/", supervision_views.lead_list, name="supervision_leads"),
    path("ducha/scan/", supervision_views.lead_scan, name="supervision_scan"),
    path("ducha/new/", supervision_views.lead_new, name="supervision_new"),
    path("ducha/<int:pk>/", supervision_views.lead_detail, name="supervision_lead"),
    path("ducha/<int:pk>/<str:action>/", supervision_views.lead_step, name="supervision_step"),
    path("baogao/", report_views.report_list, name="reports"),
    path("baogao/new/", report_views.report_new, name="report_new"),
    path("baogao/<int:pk>/", report_views.report_detail, name="report"),
    path("baogao/<int:pk>/contribute/", report_views.report_contribute, name="report_contribute"),
    path("baogao/<int:pk>/generate/", report_views.report_generate, name="report_generate"),
    path("baogao/<int:pk>/v/<int:number>/", report_views.report_version, name="report_version"),
    path("baogao/<int:pk>/v/<int:number>.docx", report_views.report_docx, name="report_docx"),
    path("baogao/<int:pk>/v/<int:number>.pdf", report_views.report_pdf, name="report_pdf"),
    path("baogao/<int:pk>/do/<str:action>/", report_views.report_step, name="report_step"),
    path("baogao/<int:pk>/manual/", report_views.report_manual, name="report_manual"),
    path("baogao/<int:pk>/v/<int:number>/cell/<str:table>/<str:row>/<int:column>/", report_views.report_cell, name="report_cell"),
    path("gongkai/baogao/", report_views.portal_list, name="portal_reports"),
    path("gongkai/baogao/<int:pk>/", report_views.portal_report, name="portal_report"),
    path("manage/import/", views.org_import, name="org_import"),
    path("manage/import/template/<str:kind>.xlsx", views.org_import_template, name="org_import_template"),
]
